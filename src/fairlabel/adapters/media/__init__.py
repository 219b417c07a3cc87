"""Media adapters: images checked and re-encoded with Pillow (``images``), zips read member by
member within limits (``archives``), and the store that keeps each content once by SHA-256
under a directory (``store``)."""
