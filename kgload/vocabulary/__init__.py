"""The terms kgload writes and how it types values: namespaces, literals, dates.

Every layer may import it; it imports nothing else of kgload's.
"""
