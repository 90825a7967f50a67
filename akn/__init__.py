"""akn: UN General Assembly resolutions from plain text to Akoma Ntoso 3.0, HTML and PDF.

One pipeline around one intermediate (the AKN tree):

    akn.read   text  -> AKN tree   (knows nothing of the writers)
    akn.render AKN   -> HTML, PDF  (reads only AKN, ours or anybody's)
"""

__version__ = "0.1.0"

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
