"""Personal data kept out of everything the assistant stores or forwards.

:func:`~bot.privacy.masking.mask_pii` (patterns in ``pii.yml``) is applied by the gateway before
a message reaches Rasa, by the tracker store before events are saved or published, and by the
FAQ desk before an unanswered question is recorded.
"""
