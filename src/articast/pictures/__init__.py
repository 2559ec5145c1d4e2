"""Pictures: everything articast draws, in one package.

Sits beside the ``visuals`` step of the map (``slides.make_slides`` is the stage: Article +
Script + Talk + Master -> Slides) and serves the cover (``audio``'s artwork), the video's
burned-in captions and the thumbnail. Modules:

- ``style``: the look (colours, fonts, spacing) as one ``Style`` object; three presets.
  Every picture's cache key includes it.
- ``imaging``: fonts, text fitting and wrapping, opening the article's pictures, generated art.
- ``plan``: the visual plan of a section (key points, numbers, quotes, charts, picture, icon),
  chosen from the section's own words and timed by the voice.
- ``icons``: an icon for a section's meaning (Lucide's tagged icons, matched by embeddings).
- ``charts``: a simple chart of comparable quantities, labelled in the article's words.
- ``cards``: the title card, the section cards (one still per state of the plan) and the end card.
- ``slides``: the visuals stage, which lays those cards on the episode's timeline.
- ``cover``: the square cover art and the show's artwork.
- ``overlay``: caption boxes (with the karaoke highlight) and the YouTube thumbnail.

moviepy composes these stills in ``video`` (reveals, cross-fades, the end card easing in).
"""
