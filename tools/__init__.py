"""Developer tools that run from a checkout, never from the installed package."""
