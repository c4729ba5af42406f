"""The domain's pure core: errors and places, the model, addresses, text, dates. Imports nothing else of policykit."""
