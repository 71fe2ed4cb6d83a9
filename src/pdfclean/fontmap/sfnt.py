"""A TrueType program read raw, one glyph at a time."""

from __future__ import annotations

import re
import struct
from itertools import accumulate, compress
from operator import mul


class _Sfnt:
    """A TrueType program read raw, one glyph at a time: its units per em,
    a glyph's advance (``hmtx``, as fontTools reads it) and the heights of its
    on-curve points (``glyf``). The outline passes through those points, so
    its ink reaches at least that high and that low: enough to tell most
    glyphs from a connecting stroke (:func:`pdfclean.quirks.no_bar`) without
    fontTools, which first names every glyph and splits every table (most of
    the cost for a subset that keeps the full font's glyph ids). Raises
    ``ValueError`` (or ``struct.error``) for a program it does not read."""

    MAX_DEPTH = 8  # components inside components

    def __init__(self, data: bytes) -> None:
        if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
            raise ValueError("not a TrueType program")
        tables = {}
        whole = memoryview(data)  # the tables are views of the program, not copies of it besides
        for i in range(struct.unpack_from(">H", data, 4)[0]):
            tag, _sum, at, n = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            if at + n > len(data):
                raise ValueError("a table runs past the end")
            tables[tag] = whole[at:at + n]
        head, maxp = tables[b"head"], tables[b"maxp"]
        self.upem = struct.unpack_from(">H", head, 18)[0]
        self.long = struct.unpack_from(">h", head, 50)[0] != 0
        self.glyphs = struct.unpack_from(">H", maxp, 4)[0]
        hhea = tables.get(b"hhea")
        self.metrics = min(struct.unpack_from(">H", hhea, 34)[0], self.glyphs) if hhea else self.glyphs
        self.hmtx, self.loca, self.glyf = tables[b"hmtx"], tables[b"loca"], tables[b"glyf"]
        # fontTools draws this glyf plainly: no other outlines it prefers, no vertical metrics or
        # variation axes its glyph set reads (and might stop at)
        self.plain_glyf = not any(t in tables for t in (b"CFF ", b"CFF2", b"GLYF", b"vmtx", b"fvar", b"gvar"))
        self.count = len(self.loca) // (4 if self.long else 2) - 1

    def advance(self, gid: int) -> float | None:
        """Glyph ``gid``'s advance in ems, or None where fontTools would have none."""
        n = self.metrics
        if not 0 <= gid < self.glyphs or not n or not self.upem \
                or len(self.hmtx) < 4 * n + 2 * (self.glyphs - n):
            return None
        return struct.unpack_from(">H", self.hmtx, 4 * min(gid, n - 1))[0] / self.upem

    def on_curve_extent(self, gid: int) -> tuple[float, float] | None:
        """(lowest, highest) y of glyph ``gid``'s on-curve points, in font
        units, as fontTools draws them (components placed by their offsets
        and scales); None when it has none or this reader does not follow
        the glyph (a point-matched or skewed component, a malformed glyph)."""
        ys: list[float] = []
        try:
            if not self._points(gid, None, ys, 0):
                return None
        except (struct.error, IndexError):
            return None
        return (min(ys), max(ys)) if ys else None

    def _points(self, gid: int, t, ys: list[float], depth: int) -> bool:
        """Add the y of glyph ``gid``'s on-curve points (through the
        transform ``t``, six numbers as fontTools' ``Transform``, None at the top) to ``ys``."""
        if depth > self.MAX_DEPTH or not 0 <= gid < self.count:
            return False
        if self.long:
            a, b = struct.unpack_from(">II", self.loca, 4 * gid)
        else:
            a, b = (2 * v for v in struct.unpack_from(">HH", self.loca, 2 * gid))
        data = bytes(self.glyf[a:b])  # (one glyph's bytes)
        if b <= a or len(data) != b - a:
            return b == a  # an empty glyph draws nothing
        (contours,) = struct.unpack_from(">h", data)
        if contours == -1:
            return self._components(data, t, ys, depth)
        if contours <= 0:
            return False
        return self._simple(data, contours, t, ys)

    @staticmethod
    def _simple(data: bytes, contours: int, t, ys: list[float]) -> bool:
        pos = 10 + 2 * contours
        n = struct.unpack_from(">H", data, pos - 2)[0] + 1  # the last contour's last point
        pos += 2 + struct.unpack_from(">H", data, pos)[0]  # instructions skipped
        flags, pos = _point_flags(data, pos, n)
        if len(flags) != n:
            return False
        pos += sum(flags.translate(_X_BYTES))  # the x coordinates
        moving = flags.translate(None, _Y_SAME)  # the points with a y delta of their own
        fmt = moving.translate(_Y_FORMAT)
        if pos + len(fmt) + fmt.count(b"h") > len(data):
            return False
        deltas = map(mul, struct.unpack_from(">" + fmt.decode(), data, pos), map(_SIGN.__getitem__, moving.translate(_Y_NEGATIVE)))
        y = list(accumulate(deltas, initial=0))  # y[k]: after the first k deltas
        on = map(y.__getitem__, compress(accumulate(flags.translate(_Y_MOVES)), flags.translate(_ON_CURVE)))
        if t is None:
            ys.extend(on)
        else:
            yy, dy = t[3], t[5]
            ys.extend([yy * v + dy for v in on])
        return True

    def point_boxes(self, gid: int) -> tuple[tuple | None, tuple] | None:
        """For a simple glyph ``gid`` that fontTools draws from this ``glyf``
        without an error: the box (x0, y0, x1, y1, font units) of the
        on-curve points of its contours of two or more points, None if it has
        none, and the box of all their points. fontTools' ``BoundsPen`` box of
        the outline lies between the two (the outline passes through those
        on-curve points and stays inside the hull of its points; a contour of
        one point draws nothing); its x only shifted by a whole number (the
        ``lsb - xMin`` offset). (None, None): nothing drawn. None: not such a
        glyph (a composite, a cubic or malformed one, a table fontTools would
        stop at), or not read."""
        if not self.plain_glyf or not 0 <= gid < min(self.count, self.glyphs) or not self._loca_reads():
            return None
        try:
            pts = self._simple_points(gid)
        except (struct.error, IndexError):
            return None
        if pts is None:
            return None
        drawn = [c for c in pts if len(c) > 1]
        if not drawn:
            return None, None
        every = [p for c in drawn for p in c]
        on = [p for p in every if p[2]]
        return _box(on) if on else None, _box(every)

    def _loca_reads(self) -> bool:
        """Does fontTools read ``loca`` and split ``glyf`` without an error
        (whole entries, each glyph's data within the table)?"""
        size = 4 if self.long else 2
        if len(self.loca) % size:
            return False
        offs = struct.unpack(">%d%s" % (len(self.loca) // size, "I" if self.long else "H"), self.loca)
        if not self.long:
            offs = [2 * v for v in offs]
        return all(a <= b for a, b in zip(offs, offs[1:])) and (not offs or offs[-1] <= len(self.glyf))

    def _simple_points(self, gid: int) -> list[list[tuple[int, int, int]]] | None:
        """Glyph ``gid``'s contours as (x, y, on-curve) points; [] for an
        empty glyph; None when it is not a simple quadratic glyph read whole."""
        if self.long:
            a, b = struct.unpack_from(">II", self.loca, 4 * gid)
        else:
            a, b = (2 * v for v in struct.unpack_from(">HH", self.loca, 2 * gid))
        data = bytes(self.glyf[a:b])  # (one glyph's bytes)
        if b == a:
            return []
        (contours,) = struct.unpack_from(">h", data)
        if contours <= 0:
            return None
        ends = struct.unpack_from(">%dH" % contours, data, 10)
        n = ends[-1] + 1
        pos = 10 + 2 * contours
        pos += 2 + struct.unpack_from(">H", data, pos)[0]
        flags, pos = _point_flags(data, pos, n)
        if len(flags) != n or any(f & 0x80 for f in flags) or any(e2 <= e1 for e1, e2 in zip(ends, ends[1:])):
            return None  # (0x80: a cubic curve for fontTools)
        xs, pos = _coords(data, pos, flags, 2, 16)
        ys, pos = _coords(data, pos, flags, 4, 32)
        out, start = [], 0
        for e in ends:
            out.append([(xs[k], ys[k], flags[k] & 1) for k in range(start, e + 1)])
            start = e + 1
        if any(len(c) == 1 and not c[0][2] for c in out):
            return None  # (fontTools draws a lone off-curve point as a curve through it)
        return out

    def _components(self, data: bytes, t, ys: list[float], depth: int) -> bool:
        pos, more = 10, True
        while more:
            flags, gid = struct.unpack_from(">HH", data, pos)
            pos += 4
            if not flags & 2 or flags & 0x2000:  # anchored to points, or a 24-bit glyph id
                return False
            if flags & 1:
                dx, dy = struct.unpack_from(">hh", data, pos)
                pos += 4
            else:
                dx, dy = struct.unpack_from(">bb", data, pos)
                pos += 2
            xy = yx = 0
            if flags & 8:
                xx = yy = struct.unpack_from(">h", data, pos)[0] / 16384
                pos += 2
            elif flags & 0x40:
                xx, yy = (v / 16384 for v in struct.unpack_from(">hh", data, pos))
                pos += 4
            elif flags & 0x80:
                xx, xy, yx, yy = (v / 16384 for v in struct.unpack_from(">hhhh", data, pos))
                pos += 8
            else:
                xx = yy = 1
            c = (xx, xy, yx, yy, dx, dy) if t is None else _compose(t, (xx, xy, yx, yy, dx, dy))
            if c[1] != 0:  # y would depend on x
                return False
            if not self._points(gid, c, ys, depth + 1):
                return False
            more = flags & 0x20
        return True


def _coords(data: bytes, pos: int, flags: bytes, short: int, same: int) -> tuple[list[int], int]:
    """One axis of a simple glyph's points (``short``: the flag bit of a
    one-byte delta, ``same``: of its sign, or of no delta), and the position after."""
    out, v = [], 0
    for f in flags:
        if f & short:
            d = data[pos]
            pos += 1
            v += d if f & same else -d
        elif not f & same:
            v += struct.unpack_from(">h", data, pos)[0]
            pos += 2
        out.append(v)
    return out, pos


def _box(points) -> tuple[int, int, int, int]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _compose(t: tuple, c: tuple) -> tuple:
    """fontTools' ``Transform(*t).transform(c)`` as a plain tuple, the same
    products summed in the same order (so the same floats), without making
    a ``Transform`` for every component."""
    xx1, xy1, yx1, yy1, dx1, dy1 = c
    xx2, xy2, yx2, yy2, dx2, dy2 = t
    return (xx1 * xx2 + xy1 * yx2, xx1 * xy2 + xy1 * yy2, yx1 * xx2 + yy1 * yx2, yx1 * xy2 + yy1 * yy2,
            xx2 * dx1 + yx2 * dy1 + dx2, xy2 * dx1 + yy2 * dy1 + dy2)


def _point_flags(data: bytes, pos: int, n: int) -> tuple[bytes, int]:
    """The flags of a simple glyph's ``n`` points from ``pos`` in its
    ``data`` (a flag with bit 3 set is followed by its count of repeats),
    and the position after them: fewer or more than ``n`` flags when the data
    runs out or a repeat runs past the last point."""
    out = bytearray()
    while len(out) < n:
        need = n - len(out)
        m = _REPEATS.search(data, pos, pos + need)
        if m is None:  # the rest, one byte each
            out += data[pos:pos + need]
            return bytes(out), pos + need
        at = m.start()
        out += data[pos:at + 1]
        out += data[at:at + 1] * data[at + 1]  # (IndexError: no count)
        pos = at + 2
    return bytes(out), pos


def _flag_table(value) -> bytes:
    return bytes(value(f) for f in range(256))


_REPEATS = re.compile(b"[" + re.escape(bytes(f for f in range(256) if f & 8)) + b"]")
_X_BYTES = _flag_table(lambda f: 1 if f & 2 else 0 if f & 16 else 2)  # bytes of the x coordinate
_Y_SAME = bytes(f for f in range(256) if not f & 4 and f & 32)  # no y delta: the y before
_Y_MOVES = _flag_table(lambda f: 0 if not f & 4 and f & 32 else 1)
_Y_FORMAT = _flag_table(lambda f: ord("B") if f & 4 else ord("h"))  # one byte (its sign in bit 5) or two
_Y_NEGATIVE = _flag_table(lambda f: 1 if f & 4 and not f & 32 else 0)
_SIGN = (1, -1)
_ON_CURVE = _flag_table(lambda f: f & 1)
