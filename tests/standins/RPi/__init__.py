"""Stand-in for the RPi package: its GPIO module routes pin calls to an emulated HX711."""
