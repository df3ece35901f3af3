"""Services: what a customer has bought and runs on the network (a line, a broadband link)."""
