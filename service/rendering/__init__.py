"""Rendering shared by every area that shows user text: Markdown, made safe."""
