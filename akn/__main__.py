from akn.cli import main

raise SystemExit(main())
