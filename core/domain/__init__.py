"""The domain of entraide: plain rules about members, help requests and polls."""
