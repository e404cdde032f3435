"""A password hash as the service stored them before Argon2 (scrypt, no parameters stored),
made by that code for the password below."""

OLD_PASSWORD = "correct horse battery"
OLD_SCRYPT_HASH = (
    "scrypt$5f1c0a9e3b7d2c4a8e6f1b3d5c7a9e0f"
    "$d66178e8e6935cc6ca3d4b57b5401a9b6b939935cf34fa5a34e75157e5b6d1b2"
    "cc92a8d9ff574b30c3ac3f28fe1f9ed8af75a8f288d4d97dbd09bc4067b806a2"
)
