"""The shipped CJK font renders Chinese labels with no missing-glyph warning."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.fonts import cjk_font_path, use_cjk_font  # noqa: E402


def test_font_file_is_shipped_by_a_package():
    path = cjk_font_path()
    assert path.suffix == ".otf" and path.stat().st_size > 1_000_000


def test_chinese_title_renders_without_missing_glyphs(tmp_path):
    assert use_cjk_font() == "Noto Sans SC"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would raise here
        fig, ax = plt.subplots(figsize=(3, 1))
        ax.set_axis_off()
        ax.text(0.5, 0.5, "通道侗族自治县 殡仪馆 救助站", ha="center", va="center", fontsize=14)
        fig.savefig(tmp_path / "t.png", dpi=60)
        fig.canvas.draw()
        pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3]
        plt.close(fig)
    assert (pixels < 128).any(), "the figure is blank"
