"""The Textual workbench: screens, widgets and styles. Only this package imports Textual."""
