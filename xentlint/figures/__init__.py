"""Figures on the rule pages: the data a contract gives along growing logits (`data`), drawing it
(`plot`, matplotlib from the `docs` extra) and the files next to the pages (`files`)."""
