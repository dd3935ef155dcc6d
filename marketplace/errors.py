"""Domain errors that every channel shows the same way: a page turns them into a message,
the API into its status code with the machine code (see marketplace/api.py)."""


class DomainError(Exception):
    code = "error"
    api_status = 409
    default_message = ""

    def __init__(self, message=None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)
