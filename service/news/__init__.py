"""News posts: what the secretariat tells the network on the public site and in its Atom feed."""
