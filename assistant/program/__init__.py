"""Running the program: participant profiles, the skills list and mentor-mentee matching.

``skills`` reads the editable skills list, ``profiles`` validates and loads what participants fill in,
``synthetic`` makes realistic cohorts for tests, ``matching`` scores pairs and proposes the best set of
pairs, ``compare`` measures that proposal against random pairing. Nothing here touches the database:
everything works on plain ``Profile``s, whatever they were read from.
"""
