"""The records and words every part of the flow shares: defined once, imported everywhere.

Pure data: nothing here touches storage, the network or a platform.
"""
