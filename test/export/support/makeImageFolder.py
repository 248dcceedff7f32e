"""Writes a tiny two-class image folder for the train.py tests: class "top" is bright in the upper
half, class "bottom" in the lower half, both with noise, so a small CNN learns it in one epoch.

Usage: python makeImageFolder.py DIR COUNT_PER_CLASS SIZE
"""
import os
import random
import sys

from PIL import Image

root, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(0)
for label in ("top", "bottom"):
    os.makedirs(os.path.join(root, label), exist_ok=True)
    for i in range(count):
        image = Image.new("L", (size, size))
        pixels = image.load()
        for y in range(size):
            bright = (y < size // 2) == (label == "top")
            for x in range(size):
                pixels[x, y] = max(0, min(255, int((200 if bright else 40) + rng.gauss(0, 40))))
        image.convert("RGB").save(os.path.join(root, label, f"{i}.png"))
