"""Entry points for people: the command line now, the Flask app in a later issue."""
