"""The synthetic athlete: physics of Nordic reps on the pad, sensor artefacts, labelled truth.

``recording.generate_recording`` makes labelled recordings (tests, benchmarks);
``demo.DemoAthlete`` is an endless force source for the emulated HX711 (demo mode).
"""
