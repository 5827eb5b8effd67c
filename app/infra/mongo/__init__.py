"""mongo"""
