pub mod classroom;
