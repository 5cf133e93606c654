"""The test suite: the core (here), the page through AppTest (app/) and in a real browser (browser/)."""
