"""Finding text by its words: both indexes stand on :func:`bot.nlu.terms.terms`.

* :mod:`~bot.retrieval.policy_search` — BM25 over the policy's clauses with marked snippets
  (``/api/search``, the hotline page);
* :mod:`~bot.retrieval.faq_index` — TF-IDF over the published FAQ entries' phrasings, rebuilt
  when the store's published revision changes (the assistant's FAQ answers).

Their thresholds and tokenisation sit side by side here so that a change to one is seen
beside the other.
"""
