"""Browser tests (marked `browser`); a package so that their module names never clash with tests/."""
