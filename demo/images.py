"""Schematic case images for the demo, drawn with Pillow.

No real scans ship with the project. Each picture is a simple, clearly captioned drawing of a
cross-section (axial slice) through a lower spine bone, in the style of a CT scan:

- "before": a tumour (*) growing into the bone;
- "during": cryoablation probes and the pale ice ball around the tumour;
- "after": a much smaller tumour (#).

Only Pillow's built-in font is used, so nothing needs fonts installed. The drawing is
deterministic: the same arguments always give the same PNG bytes.
"""

import io
import math

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 960, 720
SCENES = ("before", "during", "after")
DISCLAIMER = "Schematic illustration – not a real scan"

# Drawn at twice the size, then scaled down, for smooth edges.
_SCALE = 2

_BACKGROUND = (10, 12, 16)
_BAND = (26, 32, 44)
_WHITE = (245, 245, 245)
_GREY_TEXT = (190, 196, 206)
_ACCENT = (255, 212, 84)  # markers and the disclaimer
_FAT = (44, 44, 48)
_SOFT_TISSUE = (74, 74, 80)
_MUSCLE = (96, 96, 102)
_VESSEL = (124, 124, 130)
_BONE = (176, 174, 166)
_CORTEX = (232, 230, 220)
_CANAL = (52, 52, 58)
_TUMOUR = (112, 104, 98)
_TUMOUR_EDGE = (236, 150, 70)
_PROBE = (250, 250, 250)
_ICE_FILL = (205, 230, 255, 110)
_ICE_EDGE = (220, 240, 255)
_LEADER = (150, 156, 166)

# Where things sit on the final 960 × 720 picture.
_HEADER_BOTTOM = 84
_FOOTER_TOP = 646
_BODY = (200, 118, 760, 606)
_VERTEBRA = (415, 255, 545, 365)
_CANAL_CENTRE, _CANAL_RADIUS = (480, 398), 27
_TUMOUR_CENTRE = (515, 300)
_TUMOUR_RADIUS = {"before": 40, "during": 40, "after": 17}
_ICE_BALL = (453, 248, 577, 352)
_PROBES = (((510, 298), (586, 590)), ((526, 306), (622, 578)))


def draw_case_image(label, heading, scene):
    """Return PNG bytes of the schematic picture for one case image.

    label: the letter the caption refers to, e.g. "A"; heading: a few words shown next to it,
    e.g. "Before treatment (CT)"; scene: one of SCENES.
    """
    if scene not in SCENES:
        raise ValueError(f"scene must be one of {', '.join(SCENES)}; got {scene!r}.")
    canvas = _Canvas()
    canvas.anatomy()
    canvas.tumour(_TUMOUR_RADIUS[scene], marker={"before": "*", "after": "#"}.get(scene))
    if scene == "during":
        canvas.ice_ball_and_probes()
    canvas.labels(scene)
    canvas.frame(label, heading)
    return canvas.png()


def _font(size):
    return ImageFont.load_default(size=size * _SCALE)


def _s(*values):
    """Scale final-picture coordinates to the drawing canvas."""
    return tuple(value * _SCALE for value in values)


class _Canvas:
    def __init__(self):
        self.image = Image.new("RGB", (WIDTH * _SCALE, HEIGHT * _SCALE), _BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)

    # Anatomy, front of the body at the top as on a CT scan.
    def anatomy(self):
        d = self.draw
        left, top, right, bottom = _BODY
        d.ellipse(_s(left, top, right, bottom), fill=_FAT)
        d.ellipse(_s(left + 20, top + 18, right - 20, bottom - 18), fill=_SOFT_TISSUE)
        # Bowel loops in front of the spine, kept faint so they do not distract.
        for box in ((300, 170, 370, 220), (385, 150, 455, 195), (515, 150, 590, 198), (600, 180, 665, 235)):
            d.ellipse(_s(*box), fill=(64, 64, 70))
        # Large blood vessels in front of the spine.
        d.ellipse(_s(440, 214, 478, 244), fill=_VESSEL)
        d.ellipse(_s(492, 210, 528, 246), fill=_VESSEL)
        # Muscles beside and behind the spine.
        for box in ((345, 262, 420, 352), (540, 262, 615, 352), (392, 410, 476, 534), (484, 410, 568, 534)):
            d.ellipse(_s(*box), fill=_MUSCLE)
        # Bony ring behind the vertebral body, with its side and back projections.
        cx, cy = _CANAL_CENTRE
        r = _CANAL_RADIUS
        d.polygon(_s(447, 345, 470, 345, 466, 385, 446, 392), fill=_CORTEX)  # pedicles
        d.polygon(_s(490, 345, 513, 345, 514, 392, 494, 385), fill=_CORTEX)
        d.rounded_rectangle(_s(398, 390, 452, 406), radius=8 * _SCALE, fill=_CORTEX)
        d.rounded_rectangle(_s(508, 390, 562, 406), radius=8 * _SCALE, fill=_CORTEX)
        d.polygon(_s(470, 420, 490, 420, 486, 500, 474, 500), fill=_CORTEX)
        d.ellipse(_s(cx - r - 12, cy - r - 12, cx + r + 12, cy + r + 12), fill=_CORTEX)
        d.ellipse(_s(cx - r, cy - r, cx + r, cy + r), fill=_CANAL)
        # Vertebral body: a bright rim (cortex) around spongy bone.
        d.ellipse(_s(*_VERTEBRA), fill=_CORTEX)
        vl, vt, vr, vb = _VERTEBRA
        d.ellipse(_s(vl + 7, vt + 7, vr - 7, vb - 7), fill=_BONE)

    def tumour(self, radius, marker):
        cx, cy = _TUMOUR_CENTRE
        points = []
        for step in range(72):
            angle = 2 * math.pi * step / 72
            wobble = 1 + 0.10 * math.sin(3 * angle + 0.6) + 0.06 * math.cos(5 * angle)
            points.append(_s(cx + radius * wobble * math.cos(angle), cy + radius * wobble * math.sin(angle)))
        self.draw.polygon(points, fill=_TUMOUR, outline=_TUMOUR_EDGE, width=3 * _SCALE)
        if marker:
            self.text((cx + radius + 14, cy - radius - 44), marker, 52, _ACCENT)

    def ice_ball_and_probes(self):
        overlay = Image.new("RGBA", self.image.size, (0, 0, 0, 0))
        layer = ImageDraw.Draw(overlay)
        layer.ellipse(_s(*_ICE_BALL), fill=_ICE_FILL)
        self.image = Image.alpha_composite(self.image.convert("RGBA"), overlay).convert("RGB")
        self.draw = ImageDraw.Draw(self.image)
        # A dashed edge shows how far the ice ball reaches.
        left, top, right, bottom = _s(*_ICE_BALL)
        for start in range(0, 360, 12):
            self.draw.arc((left, top, right, bottom), start, start + 7, fill=_ICE_EDGE, width=3 * _SCALE)
        for tip, end in _PROBES:
            self.draw.line(_s(*tip, *end), fill=_PROBE, width=5 * _SCALE)
            # The handle, outside the body.
            dx, dy = end[0] - tip[0], end[1] - tip[1]
            length = math.hypot(dx, dy)
            ux, uy = dx / length, dy / length
            handle_end = (end[0] + ux * 22, end[1] + uy * 22)
            self.draw.line(_s(*end, *handle_end), fill=_PROBE, width=12 * _SCALE)

    # Words on the picture.
    def labels(self, scene):
        self.text_centred(480, 96, "Front of body", 18, _GREY_TEXT)
        self.text_centred(480, 616, "Back", 18, _GREY_TEXT)
        self.callout((24, 226), ["Spine bone", "(vertebra)"], (428, 290))
        self.callout((24, 430), ["Spinal canal", "(nerves)"], (462, 404))
        if scene == "during":
            legend = [("ice", "Ice ball"), ("probe", "Freezing probes"), ("tumour", "Tumour")]
        elif scene == "after":
            legend = [("#", "Tumour, now much smaller")]
        else:
            legend = [("*", "Tumour")]
        self.legend(legend)

    def callout(self, position, lines, target):
        x, y = position
        font_size = 20
        for index, line in enumerate(lines):
            self.text((x, y + index * 26), line, font_size, _WHITE if index == 0 else _GREY_TEXT)
        width = max(self.text_width(line, font_size) for line in lines)
        self.draw.line(_s(x + width + 8, y + 14, *target), fill=_LEADER, width=2 * _SCALE)
        tx, ty = target
        self.draw.ellipse(_s(tx - 4, ty - 4, tx + 4, ty + 4), fill=_LEADER)

    def legend(self, entries):
        x, y = 776, 430
        for symbol, text in entries:
            if symbol == "ice":
                self.draw.ellipse(_s(x, y + 2, x + 26, y + 22), fill=(120, 136, 152), outline=_ICE_EDGE, width=_SCALE)
            elif symbol == "probe":
                self.draw.line(_s(x, y + 20, x + 26, y + 4), fill=_PROBE, width=4 * _SCALE)
            elif symbol == "tumour":
                self.draw.ellipse(_s(x + 2, y + 2, x + 24, y + 22), fill=_TUMOUR, outline=_TUMOUR_EDGE, width=_SCALE)
            else:
                self.text((x + 4, y - 4), symbol, 30, _ACCENT)
            lines = self.text_wrapped((x + 36, y), text, 19, _WHITE, max_width=WIDTH - x - 52)
            y += 26 * lines + 22

    def frame(self, label, heading):
        d = self.draw
        d.rectangle(_s(0, 0, WIDTH, _HEADER_BOTTOM), fill=_BAND)
        d.rectangle(_s(0, _FOOTER_TOP, WIDTH, HEIGHT), fill=_BAND)
        d.rounded_rectangle(_s(22, 14, 78, 70), radius=10 * _SCALE, fill=_WHITE)
        self.text_centred(50, 22, label, 36, _BAND)
        self.text((98, 24), heading, 30, _WHITE)
        note = "Cross-section of a lower spine bone"
        self.text((WIDTH - 24 - self.text_width(note, 18), 34), note, 18, _GREY_TEXT)
        self.text_centred(WIDTH // 2, _FOOTER_TOP + 22, DISCLAIMER, 28, _ACCENT)

    # The built-in font has no en dash, so " – " is drawn as a short rule between the words.
    def text(self, position, text, size, fill):
        x, y = position
        for index, part in enumerate(text.split(" – ")):
            if index:
                dash_y = y + size * 0.62
                self.draw.line(
                    _s(x + size * 0.3, dash_y, x + size * 0.8, dash_y), fill=fill, width=max(2, size // 12) * _SCALE
                )
                x += size * 1.1
            self.draw.text(_s(x, y), part, font=_font(size), fill=fill)
            x += self._part_width(part, size)

    def text_width(self, text, size):
        parts = text.split(" – ")
        return sum(self._part_width(part, size) for part in parts) + size * 1.1 * (len(parts) - 1)

    def _part_width(self, text, size):
        if not text:
            return 0
        left, _, right, _ = self.draw.textbbox((0, 0), text, font=_font(size))
        return (right - left) / _SCALE

    def text_centred(self, centre_x, top, text, size, fill):
        self.text((centre_x - self.text_width(text, size) / 2, top), text, size, fill)

    def text_wrapped(self, position, text, size, fill, max_width):
        x, y = position
        line = ""
        for word in text.split():
            candidate = f"{line} {word}".strip()
            if line and self.text_width(candidate, size) > max_width:
                self.text((x, y), line, size, fill)
                y += size + 6
                line = word
            else:
                line = candidate
        self.text((x, y), line, size, fill)
        return round((y - position[1]) / (size + 6)) + 1

    def png(self):
        final = self.image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        final.save(buffer, format="PNG")
        return buffer.getvalue()
