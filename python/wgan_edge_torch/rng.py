"""wgan-edge's seeded generator (src/utils/rng.ts), bit for bit: sfc32 seeded by splitmix32.

Only what the networks need from it: the latent mixture's centres (mixtureCentres), which must be
the same numbers on both sides. Training draws its randomness from torch.Generator instead.
"""
import math

MASK = 0xFFFFFFFF
TWO_POW_32 = 4294967296
WARM_UP_DRAWS = 12


def _imul(a, b):
    return (a * b) & MASK


class Rng:
    def __init__(self, seed):
        if not isinstance(seed, int) or seed < 0 or seed >= TWO_POW_32:
            raise ValueError(f'seed must be an integer in [0, 2^32), got {seed!r}')
        state = seed

        def splitmix32():
            nonlocal state
            state = (state + 0x9E3779B9) & MASK
            z = state
            z = _imul(z ^ (z >> 16), 0x85EBCA6B)
            z = _imul(z ^ (z >> 13), 0xC2B2AE35)
            return (z ^ (z >> 16)) & MASK

        self.a, self.b, self.c, self.d = splitmix32(), splitmix32(), splitmix32(), splitmix32()
        for _ in range(WARM_UP_DRAWS):
            self.next_uint32()

    def next_uint32(self):
        t = (self.a + self.b + self.d) & MASK
        self.d = (self.d + 1) & MASK
        self.a = self.b ^ (self.b >> 9)
        self.b = (self.c + (self.c << 3)) & MASK
        self.c = ((self.c << 21) | (self.c >> 11)) & MASK
        self.c = (self.c + t) & MASK
        return t

    def uniform(self):
        return self.next_uint32() / TWO_POW_32

    def normal(self):
        """Box-Muller without a spare, as rng.ts."""
        u = 1 - self.uniform()
        v = self.uniform()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)

    def seed(self):
        return self.next_uint32()
