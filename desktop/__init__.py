"""duban's desktop side: the Qt window, its models and workers, and the ``duban`` command."""
