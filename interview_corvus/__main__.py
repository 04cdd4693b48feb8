from __future__ import annotations

from interview_corvus.cli import main

raise SystemExit(main())
