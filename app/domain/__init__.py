"""The rules of the product. No FastAPI here: the web pages, the API and the CLI all call in."""
