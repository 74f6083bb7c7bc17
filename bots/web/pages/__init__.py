"""One module per page of the console; each has `add_routes(router)`."""
