"""Answering a question from the guidelines: which section, which sentences, whether to answer at all.

Five small learned heads (numpy at run time, trained by ``tandem eval train`` from
``evals/datasets/questions/``): a reranker over retrieved chunks, a sentence selector, a scope
decision, a risk-disclosure screen and a follow-up detector. :mod:`assistant.answers.plan` runs them.
"""
