"""First Call Resolution: was the customer's matter settled in this call, for good?"""
