"""醴陵户籍政策助手: the assistant for 醴政发〔2017〕6号.

A map of the package (the README's "Layout" section draws a citizen's sentence through it):

* :mod:`bot.policy` — the policy as data (``policy_text/``) and the pure eligibility engine;
  imports nothing from the rest of ``bot``.
* :mod:`bot.nlu` — Chinese text: normalisation, jieba segmentation, the fact extractor.
* :mod:`bot.retrieval` — the two indexes over the same term analysis: policy search (BM25)
  and the published-FAQ index.
* :mod:`bot.privacy` — masking of personal numbers and names before anything is kept.
* :mod:`bot.dialogue` — intents and slots ↔ facts, the answers that are not assessments,
  the generated part of the domain.
* :mod:`bot.faq` — the publicity department's FAQ desk: database, workflow, accounts.
* :mod:`bot.rasa_ext` — everything that plugs into Rasa (components, stores, the in-process
  actions, the server wrapper); the only package here that imports Rasa.
* :mod:`bot.stack` — running it: deployment profiles, processes, training.
* :mod:`bot.web` — the FastAPI gateway: widget, hotline page, FAQ desk, API.
* :mod:`bot.channels` — messaging channels besides the widget (the WeChat Official Account),
  protocol code only; the gateway hands them the chat's turn.
* :mod:`bot.paths` — where things are in a checkout; :mod:`bot.cli` — the ``hukou`` command.

``config.yml``, ``domain/``, ``credentials.yml`` and ``endpoints.yml`` beside the code are the
Rasa project's configuration.
"""
