"""``articast studio``: a local web app to review, edit, listen to, build and publish episodes.

``Studio`` (``articast.studio.core``) is the library the app calls; ``articast.studio.web``
serves it on 127.0.0.1.
"""

from articast.studio.core import (
    EpisodeCard,
    EpisodeView,
    PartView,
    Published,
    Said,
    SentenceView,
    Studio,
    VoiceOption,
    describe_error,
)
from articast.studio.jobs import Job, JobQueue

__all__ = [
    "EpisodeCard",
    "EpisodeView",
    "Job",
    "JobQueue",
    "PartView",
    "Published",
    "Said",
    "SentenceView",
    "Studio",
    "VoiceOption",
    "describe_error",
]
