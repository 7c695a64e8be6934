from nhc_scale.cli import main

raise SystemExit(main())
