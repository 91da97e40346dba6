from assistant.app import create_app

app = create_app()
