"""Computations: DataFrames and rules in, results out; no printing, no exits."""
