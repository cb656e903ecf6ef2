"""Chinese language processing: normalisation, jieba segmentation and the fact extractor.

The modules here are plain Python (spaCy and jieba only); :mod:`bot.nlu.components` wraps
them as Rasa graph components.
"""
