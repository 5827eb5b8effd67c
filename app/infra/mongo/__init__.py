"""The one door to MongoDB: the connection and what the server does differently (db), and one
store per stored aggregate, through which every read and write of it goes."""
