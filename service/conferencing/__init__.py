"""Video bridges: reserving a meeting on Jitsi, BigBlueButton or a staff-entered bridge."""
