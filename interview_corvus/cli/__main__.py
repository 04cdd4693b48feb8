from __future__ import annotations

from interview_corvus.cli.main import main

raise SystemExit(main())
