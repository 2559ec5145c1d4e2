"""Publish stage (last on the map): show notes, the episode page, the podcast feed.

``write_description`` writes ``description.txt`` (YouTube) and ``shownotes.html``;
``write_episode_page`` writes the episode's ``index.html``; ``update_feed`` rebuilds the
output folder's ``feed.xml`` and ``index.html`` from every ``<out>/*/episode.json``.
"""

from __future__ import annotations

from articast.publish.description import build_description, shownotes_fragment, write_description
from articast.publish.feed import is_local_preview, podcast_guid, update_feed
from articast.publish.page import write_episode_page

__all__ = [
    "build_description",
    "is_local_preview",
    "podcast_guid",
    "shownotes_fragment",
    "update_feed",
    "write_description",
    "write_episode_page",
]
