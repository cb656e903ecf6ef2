"""What the dialogue needs from the policy: intents ↔ goals and topics, slots ↔ facts.

No Rasa import: the action server, the domain generator and the CLI share these tables
(:mod:`bot.rasa_ext.understand` runs a sentence through the trained model).
"""
