"""Running the assistant: where state lives, which processes, and the model they load.

* :mod:`~bot.stack.profile` — the deployment profiles (embedded defaults or PostgreSQL, Redis
  and RabbitMQ) read from the environment, and the Rasa endpoints they imply;
* :mod:`~bot.stack.processes` — :class:`~bot.stack.processes.Stack` (the action server, the
  Rasa workers and the gateway as child processes) and ``hukou serve``;
* :mod:`~bot.stack.training` — the training inputs, staleness and the ``rasa train`` command.
"""
