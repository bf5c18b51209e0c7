"""A slow, obviously right reference for tests: counting the connected pieces of a mask."""

from collections import deque

import numpy as np

NEIGHBOURS = {
    8: [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx],
    4: [(-1, 0), (1, 0), (0, -1), (0, 1)],
}


def count_pieces(mask: np.ndarray, connectivity: int = 8) -> int:
    """Pieces of a small boolean image by breadth-first flood fill (4- or 8-connected)."""
    seen = np.zeros_like(mask, dtype=bool)
    count = 0
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        count += 1
        seen[start] = True
        queue = deque([start])
        while queue:
            y, x = queue.popleft()
            for dy, dx in NEIGHBOURS[connectivity]:
                ny, nx = y + dy, x + dx
                if 0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1] and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    queue.append((ny, nx))
    return count
