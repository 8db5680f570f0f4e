from nervetrack.cli import app

app(prog_name="nervetrack")
