"""The policy: its text and structure as data, and the pure-Python eligibility engine.

No Rasa import here or below: the engine is usable from the action server, the web
gateway, the CLI and tests alike.
"""

from bot.policy.engine import Assessment, Outcome, assess
from bot.policy.loader import PolicyDataError, load_knowledge
from bot.policy.model import Clause, Knowledge
from bot.policy.situation import Situation, SituationError

__all__ = [
    "Assessment",
    "Clause",
    "Knowledge",
    "Outcome",
    "PolicyDataError",
    "Situation",
    "SituationError",
    "assess",
    "load_knowledge",
]
