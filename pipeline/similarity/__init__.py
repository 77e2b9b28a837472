"""Text similarity shared by dedup, decontamination, leakage, the split and preference negatives.

compare.py makes the normalised text two examples are compared on; minhash.py hashes shingles and makes
MinHash signatures; lsh.py turns signatures into candidate pairs; jaccard.py verifies candidates exactly;
clusters.py joins verified pairs into near-duplicate clusters; ngrams.py hashes word 13-grams for
overlap tests in bounded memory.
"""
