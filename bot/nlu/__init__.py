"""Chinese language processing: normalisation, jieba segmentation and the fact extractor.

The modules here are plain Python (spaCy and jieba only); :mod:`bot.rasa_ext.components` wraps
them as Rasa graph components.
"""
