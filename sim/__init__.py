"""Planning simulator for China's civil-affairs (民政) services.

The data flow is one pass: scenario -> population -> service demand -> project build-out
-> indicators -> summary and outputs.  Each step is a module that passes plain arrays and
tidy tables to the next.
"""

__version__ = "0.1.0"
